// Start-up of the static `hoard` client, made cheaper than the Swift runtime's own.
//
// In a static executable the Swift runtime finds argv from a constructor that opens and parses /proc/self/maps,
// which costs more than a tenth of the client's start-up. glibc passes argc and argv to every ELF constructor, so
// this one keeps them and answers the runtime's two argv entry points itself. The linker then never loads the
// runtime's CommandLine object from libswiftCore.a; a toolchain that needs anything else from that object makes
// the link fail with duplicate symbols, rather than silently doing the work twice.
#include "CHoardStartup.h"

static int savedCount;
static char **savedArguments;
static char *noArguments[] = {0};

__attribute__((constructor)) static void hoardKeepArguments(int count, char **arguments, char **environment) {
    (void)environment;
    savedCount = count;
    savedArguments = arguments;
}

char **_swift_stdlib_getUnsafeArgvArgc(int *count) {
    if (savedArguments == 0) {
        *count = 0;
        return noArguments;
    }
    *count = savedCount;
    return savedArguments;
}

void _swift_stdlib_overrideUnsafeArgvArgc(char **arguments, int count) {
    savedArguments = arguments;
    savedCount = count;
}
