#ifndef STATS_H
#define STATS_H
#include <stddef.h>

struct stats {
    size_t words;
    size_t lines;
    size_t longest;
};

void stats_add_word(struct stats *stats, size_t length);
#endif
