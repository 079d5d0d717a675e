#include <string.h>

#include "edge/crypto.h"
#include "edge/status.h"
#include "harness.h"
#include "test_rng.h"
#include "test_vectors.h"

static void generated_keys(void)
{
    harness_case("a generated key signs and verifies");
    const edge_rng rng = test_rng(42);
    uint8_t private_key[EDGE_PRIVATE_KEY_BYTES];
    uint8_t public_key[EDGE_PUBLIC_KEY_BYTES];
    uint8_t signature[EDGE_SIGNATURE_BYTES];
    uint8_t again[EDGE_SIGNATURE_BYTES];
    CHECK_EQ(edge_key_generate(&rng, private_key), EDGE_OK);
    CHECK_EQ(edge_key_public(private_key, &rng, public_key), EDGE_OK);
    CHECK(edge_public_key_valid(public_key));
    const uint8_t message[] = "reading";
    CHECK_EQ(edge_sign(private_key, message, sizeof message, &rng, signature), EDGE_OK);
    CHECK(edge_verify(public_key, message, sizeof message, signature));

    harness_case("signatures are deterministic");
    const edge_rng other = test_rng(43);
    CHECK_EQ(edge_sign(private_key, message, sizeof message, &other, again), EDGE_OK);
    CHECK_MEM(again, sizeof again, signature, sizeof signature);

    harness_case("a changed message or signature fails");
    uint8_t changed[sizeof message];
    memcpy(changed, message, sizeof message);
    changed[0] ^= 1;
    CHECK(!edge_verify(public_key, changed, sizeof changed, signature));
    signature[10] ^= 0x80;
    CHECK(!edge_verify(public_key, message, sizeof message, signature));

    harness_case("two generated keys differ");
    uint8_t second[EDGE_PRIVATE_KEY_BYTES];
    CHECK_EQ(edge_key_generate(&rng, second), EDGE_OK);
    CHECK(memcmp(second, private_key, sizeof second) != 0);
}

static void invalid_keys(void)
{
    const edge_rng rng = test_rng(5);
    uint8_t public_key[EDGE_PUBLIC_KEY_BYTES];
    uint8_t signature[EDGE_SIGNATURE_BYTES];
    const uint8_t message[] = "x";

    harness_case("zero is no private key");
    const uint8_t zero[EDGE_PRIVATE_KEY_BYTES] = {0};
    CHECK_EQ(edge_key_public(zero, &rng, public_key), EDGE_ERR_CRYPTO);
    CHECK_EQ(edge_sign(zero, message, 1, &rng, signature), EDGE_ERR_CRYPTO);

    harness_case("a scalar above the group order is no private key");
    uint8_t too_big[EDGE_PRIVATE_KEY_BYTES];
    memset(too_big, 0xff, sizeof too_big);
    CHECK_EQ(edge_key_public(too_big, &rng, public_key), EDGE_ERR_CRYPTO);

    harness_case("points that are not on the curve");
    memcpy(public_key, TV_DEVICE_PUBLIC_KEY.data, sizeof public_key);
    CHECK(edge_public_key_valid(public_key));
    public_key[64] ^= 1;
    CHECK(!edge_public_key_valid(public_key));
    memcpy(public_key, TV_DEVICE_PUBLIC_KEY.data, sizeof public_key);
    public_key[0] = 0x02;
    CHECK(!edge_public_key_valid(public_key));
    CHECK(!edge_verify(public_key, TV_FRAMES[0].frame_bytes.data, TV_FRAMES[0].frame_bytes.len,
                       TV_FRAMES[0].signature.data));
}

int main(void)
{
    generated_keys();
    invalid_keys();
    return harness_finish("crypto");
}
