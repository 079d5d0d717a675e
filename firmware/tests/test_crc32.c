#include <string.h>

#include "edge/crc32.h"
#include "harness.h"

int main(void)
{
    harness_case("check value of CRC-32/ISO-HDLC");
    const char *check = "123456789";
    CHECK_EQ(edge_crc32((const uint8_t *)check, strlen(check)), 0xcbf43926u);

    harness_case("empty input");
    CHECK_EQ(edge_crc32(NULL, 0), 0);

    harness_case("single bytes");
    const uint8_t zero = 0x00;
    const uint8_t ones = 0xff;
    CHECK_EQ(edge_crc32(&zero, 1), 0xd202ef8du);
    CHECK_EQ(edge_crc32(&ones, 1), 0xff000000u);
    return harness_finish("crc32");
}
