#ifndef TEXT_H
#define TEXT_H
#include "stats.h"

void text_scan(const char *text, struct stats *stats);
#endif
