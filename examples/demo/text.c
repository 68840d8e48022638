#include <ctype.h>
#include "text.h"

void text_scan(const char *text, struct stats *stats) {
    size_t length = 0;
    for (const char *p = text;; ++p) {
        if (*p == '\n') {
            stats->lines += 1;
        }
        if (*p != '\0' && !isspace((unsigned char)*p)) {
            length += 1;
        } else if (length > 0) {
            stats_add_word(stats, length);
            length = 0;
        }
        if (*p == '\0') {
            break;
        }
    }
}
