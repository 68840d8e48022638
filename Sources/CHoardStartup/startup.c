// Start-up of the static `hoard` client, made cheaper than the Swift runtime's own.
//
// In a static executable the Swift runtime finds argv from a constructor that opens and parses /proc/self/maps,
// which costs more than a tenth of the client's start-up. glibc passes argc and argv to every ELF constructor, so
// this one keeps them and answers the runtime's two argv entry points itself. The linker then never loads the
// runtime's CommandLine object from libswiftCore.a; a toolchain that needs anything else from that object makes
// the link fail with duplicate symbols, rather than silently doing the work twice.
#include "CHoardStartup.h"

#include <stdlib.h>

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

// The Swift runtime's backtracer looks for its helper program, swift-backtrace, at every start (a readlink of
// /proc/self/exe and eight stats of directories beside the executable), even when backtraces are off, unless its
// setting names the helper. The client ships without the helper, so the search always fails and the backtracer
// stays off: this says so, and names a helper, before the runtime reads its environment (from a constructor of
// default priority; this one runs first). The setting is removed again as main starts, so compilers never see it, and
// a user's own setting is left alone.
static int backtraceSettingAdded;

__attribute__((constructor(101))) static void hoardSkipBacktracerSearch(void) {
    if (getenv("SWIFT_BACKTRACE") == 0 && setenv("SWIFT_BACKTRACE", "enable=no,swift-backtrace=/dev/null", 0) == 0) {
        backtraceSettingAdded = 1;
    }
}

void hoardRestoreEnvironment(void) {
    if (backtraceSettingAdded) {
        unsetenv("SWIFT_BACKTRACE");
        backtraceSettingAdded = 0;
    }
}

// glibc's static start-up asks for the executable's directory, for `$ORIGIN` in the paths of shared objects it may
// load later, with a readlink of /proc/self/exe (a fortieth of the client's start-up here). The client loads none,
// so this answers glibc's own "unknown" value instead. glibc defines nothing else in that object, so the linker
// never takes its version from libc.a (if a glibc ever does, the link fails with a duplicate symbol).
const char *_dl_get_origin(void) {
    return (const char *)-1;
}
