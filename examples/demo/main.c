#include <stdio.h>
#include "text.h"

int main(void) {
    static const char poem[] =
        "A cache that keeps what compilers made\n"
        "returns it fast and unafraid\n";
    struct stats stats = {0, 0, 0};
    text_scan(poem, &stats);
    printf("%zu words, %zu lines, longest word %zu letters\n", stats.words, stats.lines, stats.longest);
    return 0;
}
