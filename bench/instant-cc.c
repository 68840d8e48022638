// The floor of a warm rebuild: a "compiler" that does no work. For `-c` it copies the prebuilt object of the
// source's name from $INSTANT_CC_OBJECTS to the output; any other command (a link) runs gcc. bench/run builds it
// static, like the fastest cache client could be, and reports a warm rebuild with it beside the caches'.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *source = 0, *output = 0, *objects = getenv("INSTANT_CC_OBJECTS");
    int compile = 0;
    for (int i = 1; i < argc; i++) {
        size_t length = strlen(argv[i]);
        if (!strcmp(argv[i], "-c")) {
            compile = 1;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            output = argv[++i];
        } else if (length > 2 && !strcmp(argv[i] + length - 2, ".c")) {
            source = argv[i];
        }
    }
    if (!compile || !source || !objects) {
        argv[0] = "gcc";
        execvp("gcc", argv);
        return 127;
    }
    const char *base = strrchr(source, '/') ? strrchr(source, '/') + 1 : source;
    int stem = (int)strlen(base) - 2;
    char object[4096], defaultOutput[4096];
    snprintf(object, sizeof object, "%s/%.*s.o", objects, stem, base);
    if (!output) {
        snprintf(defaultOutput, sizeof defaultOutput, "%.*s.o", stem, base);
        output = defaultOutput;
    }
    int in = open(object, O_RDONLY);
    struct stat status;
    if (in < 0 || fstat(in, &status) != 0) return 1;
    int out = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || sendfile(out, in, 0, (size_t)status.st_size) != status.st_size) return 1;
    return close(out) == 0 ? 0 : 1;
}
