#include "edge/crypto.h"

#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>

#include "edge/status.h"

/* Only the public fields and functions common to mbedTLS 2.28 (Debian) and 3.x (ESP-IDF)
 * are used, so the same file builds for both. */

#define COORDINATE_BYTES 32

/* The curve with a private scalar or a public point on it; open, use, close. */
typedef struct {
    mbedtls_ecp_group group;
    mbedtls_mpi d;
} private_key;

typedef struct {
    mbedtls_ecp_group group;
    mbedtls_ecp_point q;
} public_key;

static int open_private(private_key *key, const uint8_t bytes[EDGE_PRIVATE_KEY_BYTES])
{
    mbedtls_ecp_group_init(&key->group);
    mbedtls_mpi_init(&key->d);
    int rc = mbedtls_ecp_group_load(&key->group, MBEDTLS_ECP_DP_SECP256R1);
    if (rc == 0 && bytes != NULL) {
        rc = mbedtls_mpi_read_binary(&key->d, bytes, EDGE_PRIVATE_KEY_BYTES);
    }
    if (rc == 0 && bytes != NULL) {
        rc = mbedtls_ecp_check_privkey(&key->group, &key->d);
    }
    return rc;
}

static void close_private(private_key *key)
{
    mbedtls_mpi_free(&key->d);
    mbedtls_ecp_group_free(&key->group);
}

static int open_public(public_key *key, const uint8_t bytes[EDGE_PUBLIC_KEY_BYTES])
{
    mbedtls_ecp_group_init(&key->group);
    mbedtls_ecp_point_init(&key->q);
    if (bytes[0] != 0x04) {
        return -1;
    }
    int rc = mbedtls_ecp_group_load(&key->group, MBEDTLS_ECP_DP_SECP256R1);
    if (rc == 0) {
        rc = mbedtls_ecp_point_read_binary(&key->group, &key->q, bytes, EDGE_PUBLIC_KEY_BYTES);
    }
    return rc == 0 ? mbedtls_ecp_check_pubkey(&key->group, &key->q) : rc;
}

static void close_public(public_key *key)
{
    mbedtls_ecp_point_free(&key->q);
    mbedtls_ecp_group_free(&key->group);
}

int edge_sha256(const uint8_t *message, size_t len, uint8_t digest[32])
{
    return mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), message, len, digest) == 0 ? EDGE_OK
                                                                                              : EDGE_ERR_CRYPTO;
}

int edge_key_generate(const edge_rng *rng, uint8_t private_key_bytes[EDGE_PRIVATE_KEY_BYTES])
{
    private_key key;
    int rc = open_private(&key, NULL);
    if (rc == 0) {
        rc = mbedtls_ecp_gen_privkey(&key.group, &key.d, rng->fill, rng->ctx);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&key.d, private_key_bytes, EDGE_PRIVATE_KEY_BYTES);
    }
    close_private(&key);
    return rc == 0 ? EDGE_OK : EDGE_ERR_CRYPTO;
}

int edge_key_public(const uint8_t private_key_bytes[EDGE_PRIVATE_KEY_BYTES], const edge_rng *rng,
                    uint8_t public_key_bytes[EDGE_PUBLIC_KEY_BYTES])
{
    private_key key;
    mbedtls_ecp_point q;
    mbedtls_ecp_point_init(&q);
    size_t written = 0;
    int rc = open_private(&key, private_key_bytes);
    if (rc == 0) {
        rc = mbedtls_ecp_mul(&key.group, &q, &key.d, &key.group.G, rng->fill, rng->ctx);
    }
    if (rc == 0) {
        rc = mbedtls_ecp_point_write_binary(&key.group, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &written, public_key_bytes,
                                            EDGE_PUBLIC_KEY_BYTES);
    }
    mbedtls_ecp_point_free(&q);
    close_private(&key);
    return rc == 0 && written == EDGE_PUBLIC_KEY_BYTES ? EDGE_OK : EDGE_ERR_CRYPTO;
}

bool edge_public_key_valid(const uint8_t public_key_bytes[EDGE_PUBLIC_KEY_BYTES])
{
    public_key key;
    const int rc = open_public(&key, public_key_bytes);
    close_public(&key);
    return rc == 0;
}

/* What signing and verifying share: the message's digest and the signature's halves r and s,
 * written as r || s. r and s start empty whether or not hashing succeeds, so close_parts
 * always follows open_parts. */
typedef struct {
    uint8_t digest[32];
    mbedtls_mpi r;
    mbedtls_mpi s;
} signature_parts;

static int open_parts(signature_parts *parts, const uint8_t *message, size_t len)
{
    mbedtls_mpi_init(&parts->r);
    mbedtls_mpi_init(&parts->s);
    return edge_sha256(message, len, parts->digest);
}

static void close_parts(signature_parts *parts)
{
    mbedtls_mpi_free(&parts->s);
    mbedtls_mpi_free(&parts->r);
}

static int write_parts(const signature_parts *parts, uint8_t signature[EDGE_SIGNATURE_BYTES])
{
    const int rc = mbedtls_mpi_write_binary(&parts->r, signature, COORDINATE_BYTES);
    return rc == 0 ? mbedtls_mpi_write_binary(&parts->s, signature + COORDINATE_BYTES, COORDINATE_BYTES) : rc;
}

static int read_parts(signature_parts *parts, const uint8_t signature[EDGE_SIGNATURE_BYTES])
{
    const int rc = mbedtls_mpi_read_binary(&parts->r, signature, COORDINATE_BYTES);
    return rc == 0 ? mbedtls_mpi_read_binary(&parts->s, signature + COORDINATE_BYTES, COORDINATE_BYTES) : rc;
}

/* Every opening step runs, so that each close has its open; the first failure is the result. */
static int first_failure(int rc, int next_rc)
{
    return rc != 0 ? rc : next_rc;
}

int edge_sign(const uint8_t private_key_bytes[EDGE_PRIVATE_KEY_BYTES], const uint8_t *message, size_t len,
              const edge_rng *rng, uint8_t signature[EDGE_SIGNATURE_BYTES])
{
    private_key key;
    signature_parts parts;
    int rc = first_failure(open_private(&key, private_key_bytes), open_parts(&parts, message, len));
    if (rc == 0) {
        rc = mbedtls_ecdsa_sign_det_ext(&key.group, &parts.r, &parts.s, &key.d, parts.digest, sizeof parts.digest,
                                        MBEDTLS_MD_SHA256, rng->fill, rng->ctx);
    }
    if (rc == 0) {
        rc = write_parts(&parts, signature);
    }
    close_parts(&parts);
    close_private(&key);
    return rc == 0 ? EDGE_OK : EDGE_ERR_CRYPTO;
}

bool edge_verify(const uint8_t public_key_bytes[EDGE_PUBLIC_KEY_BYTES], const uint8_t *message, size_t len,
                 const uint8_t signature[EDGE_SIGNATURE_BYTES])
{
    public_key key;
    signature_parts parts;
    int rc = first_failure(open_public(&key, public_key_bytes), open_parts(&parts, message, len));
    if (rc == 0) {
        rc = read_parts(&parts, signature);
    }
    if (rc == 0) {
        rc = mbedtls_ecdsa_verify(&key.group, parts.digest, sizeof parts.digest, &key.q, &parts.r, &parts.s);
    }
    close_parts(&parts);
    close_public(&key);
    return rc == 0;
}
