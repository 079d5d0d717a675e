#include "hex.h"

#include <ctype.h>
#include <string.h>

static int nibble(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool hex_decode(const char *text, uint8_t *out, size_t len)
{
    while (isspace((unsigned char)*text)) {
        text++;
    }
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text += 2;
    }
    for (size_t i = 0; i < len; i++) {
        const int high = nibble(text[2 * i]);
        const int low = high < 0 ? -1 : nibble(text[2 * i + 1]);
        if (low < 0) {
            return false;
        }
        out[i] = (uint8_t)(high << 4 | low);
    }
    for (text += 2 * len; *text != '\0'; text++) {
        if (!isspace((unsigned char)*text)) {
            return false;
        }
    }
    return true;
}

void hex_encode(const uint8_t *data, size_t len, char *text)
{
    static const char DIGITS[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        text[2 * i] = DIGITS[data[i] >> 4];
        text[2 * i + 1] = DIGITS[data[i] & 0x0f];
    }
    text[2 * len] = '\0';
}
