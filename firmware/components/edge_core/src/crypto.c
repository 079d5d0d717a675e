#include "edge/crypto.h"

#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>

#include "edge/status.h"

/* Only the public fields and functions common to mbedTLS 2.28 (Debian) and 3.x (ESP-IDF)
 * are used, so the same file builds for both. */

#define COORDINATE_BYTES 32

static int sha256(const uint8_t *message, size_t len, unsigned char digest[32])
{
    return mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), message, len, digest);
}

static int load_curve(mbedtls_ecp_group *group)
{
    return mbedtls_ecp_group_load(group, MBEDTLS_ECP_DP_SECP256R1);
}

static int load_private(const mbedtls_ecp_group *group, const uint8_t private_key[EDGE_PRIVATE_KEY_BYTES],
                        mbedtls_mpi *d)
{
    int rc = mbedtls_mpi_read_binary(d, private_key, EDGE_PRIVATE_KEY_BYTES);
    return rc == 0 ? mbedtls_ecp_check_privkey(group, d) : rc;
}

int edge_key_generate(const edge_rng *rng, uint8_t private_key[EDGE_PRIVATE_KEY_BYTES])
{
    mbedtls_ecp_group group;
    mbedtls_ecp_group_init(&group);
    mbedtls_mpi d;
    mbedtls_mpi_init(&d);
    int rc = load_curve(&group);
    if (rc == 0) {
        rc = mbedtls_ecp_gen_privkey(&group, &d, rng->fill, rng->ctx);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&d, private_key, EDGE_PRIVATE_KEY_BYTES);
    }
    mbedtls_mpi_free(&d);
    mbedtls_ecp_group_free(&group);
    return rc == 0 ? EDGE_OK : EDGE_ERR_CRYPTO;
}

int edge_key_public(const uint8_t private_key[EDGE_PRIVATE_KEY_BYTES], const edge_rng *rng,
                    uint8_t public_key[EDGE_PUBLIC_KEY_BYTES])
{
    mbedtls_ecp_group group;
    mbedtls_ecp_group_init(&group);
    mbedtls_mpi d;
    mbedtls_ecp_point q;
    mbedtls_mpi_init(&d);
    mbedtls_ecp_point_init(&q);
    size_t written = 0;
    int rc = load_curve(&group);
    if (rc == 0) {
        rc = load_private(&group, private_key, &d);
    }
    if (rc == 0) {
        rc = mbedtls_ecp_mul(&group, &q, &d, &group.G, rng->fill, rng->ctx);
    }
    if (rc == 0) {
        rc = mbedtls_ecp_point_write_binary(&group, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &written, public_key,
                                            EDGE_PUBLIC_KEY_BYTES);
    }
    mbedtls_ecp_point_free(&q);
    mbedtls_mpi_free(&d);
    mbedtls_ecp_group_free(&group);
    return rc == 0 && written == EDGE_PUBLIC_KEY_BYTES ? EDGE_OK : EDGE_ERR_CRYPTO;
}

static int load_public(const mbedtls_ecp_group *group, const uint8_t public_key[EDGE_PUBLIC_KEY_BYTES],
                       mbedtls_ecp_point *q)
{
    if (public_key[0] != 0x04) {
        return -1;
    }
    int rc = mbedtls_ecp_point_read_binary(group, q, public_key, EDGE_PUBLIC_KEY_BYTES);
    return rc == 0 ? mbedtls_ecp_check_pubkey(group, q) : rc;
}

bool edge_public_key_valid(const uint8_t public_key[EDGE_PUBLIC_KEY_BYTES])
{
    mbedtls_ecp_group group;
    mbedtls_ecp_group_init(&group);
    mbedtls_ecp_point q;
    mbedtls_ecp_point_init(&q);
    int rc = load_curve(&group);
    if (rc == 0) {
        rc = load_public(&group, public_key, &q);
    }
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&group);
    return rc == 0;
}

int edge_sign(const uint8_t private_key[EDGE_PRIVATE_KEY_BYTES], const uint8_t *message, size_t len,
              const edge_rng *rng, uint8_t signature[EDGE_SIGNATURE_BYTES])
{
    unsigned char digest[32];
    mbedtls_ecp_group group;
    mbedtls_ecp_group_init(&group);
    mbedtls_mpi d, r, s;
    mbedtls_mpi_init(&d);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    int rc = sha256(message, len, digest);
    if (rc == 0) {
        rc = load_curve(&group);
    }
    if (rc == 0) {
        rc = load_private(&group, private_key, &d);
    }
    if (rc == 0) {
        rc = mbedtls_ecdsa_sign_det_ext(&group, &r, &s, &d, digest, sizeof digest, MBEDTLS_MD_SHA256, rng->fill,
                                        rng->ctx);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&r, signature, COORDINATE_BYTES);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&s, signature + COORDINATE_BYTES, COORDINATE_BYTES);
    }
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&d);
    mbedtls_ecp_group_free(&group);
    return rc == 0 ? EDGE_OK : EDGE_ERR_CRYPTO;
}

bool edge_verify(const uint8_t public_key[EDGE_PUBLIC_KEY_BYTES], const uint8_t *message, size_t len,
                 const uint8_t signature[EDGE_SIGNATURE_BYTES])
{
    unsigned char digest[32];
    mbedtls_ecp_group group;
    mbedtls_ecp_group_init(&group);
    mbedtls_ecp_point q;
    mbedtls_mpi r, s;
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    int rc = sha256(message, len, digest);
    if (rc == 0) {
        rc = load_curve(&group);
    }
    if (rc == 0) {
        rc = load_public(&group, public_key, &q);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_read_binary(&r, signature, COORDINATE_BYTES);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_read_binary(&s, signature + COORDINATE_BYTES, COORDINATE_BYTES);
    }
    if (rc == 0) {
        rc = mbedtls_ecdsa_verify(&group, digest, sizeof digest, &q, &r, &s);
    }
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&r);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&group);
    return rc == 0;
}
