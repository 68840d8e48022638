#include "stats.h"

void stats_add_word(struct stats *stats, size_t length) {
    stats->words += 1;
    if (length > stats->longest) {
        stats->longest = length;
    }
}
