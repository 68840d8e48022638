// glibc's start-up of a static executable, without its CPU survey.
//
// Before main, a static glibc program asks the processor about its features and, for its memcpy tuning, about each
// level of its caches: about 75 CPUID instructions in glibc 2.36 on AMD processors. In a virtual machine every CPUID
// traps to the hypervisor (3.8 µs each here), so the survey costs about 0.25 ms, more than half of what a static C
// program takes to start, and the client starts once per compile. This file is glibc 2.36's own `__libc_start_main`
// for static executables (csu/libc-start.c) step by step, in its order, less that survey: the linker then takes
// this definition instead of libc.a's libc-start.o, which defines nothing else but the cache-size tuning variables
// below (if it ever does, the link fails with a duplicate symbol rather than starting twice).
//
// Without the survey, glibc's feature table stays empty, so its string functions resolve to their baseline SSE2
// versions (right on every x86-64, and the client moves little memory) and lock elision stays off; the cache-size
// tuning takes glibc's own defaults. The client's BLAKE3 asks the processor itself, and only when a file is large
// enough to need SIMD. Any other glibc, or another architecture, compiles none of this and keeps glibc's start-up.
#include <features.h>

#if defined(__x86_64__) && defined(__GLIBC__) && __GLIBC__ == 2 && __GLIBC_MINOR__ == 36

#include <elf.h>
#include <link.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

// glibc's internal start-up steps (hidden symbols of libc.a, reachable from any object of a static link).
extern char **__environ;
extern void *__libc_stack_end;
extern void *_dl_random;
extern size_t _dl_minsigstacksize;
extern int __libc_enable_secure;
void _dl_aux_init(ElfW(auxv_t) * vector);
void __tunables_init(char **environment);
void _dl_relocate_static_pie(void);
void __libc_setup_tls(void);
void __libc_early_init(_Bool initial);
void __libc_init_first(int count, char **arguments, char **environment);
void __libc_check_standard_fds(void);
void *_dl_debug_initialize(ElfW(Addr) base, long namespace);
int __cxa_atexit(void (*function)(void *), void *argument, void *handle);
void __libc_fatal(const char *message) __attribute__((noreturn));

extern const ElfW(Rela) __rela_iplt_start[] __attribute__((weak));
extern const ElfW(Rela) __rela_iplt_end[] __attribute__((weak));
extern void (*__preinit_array_start[])(int, char **, char **);
extern void (*__preinit_array_end[])(int, char **, char **);
extern void (*__init_array_start[])(int, char **, char **);
extern void (*__init_array_end[])(int, char **, char **);
extern void (*__fini_array_start[])(void);
extern void (*__fini_array_end[])(void);
void _init(void);
void _fini(void);

// The string functions' tuning, defined by libc-start.o and set there from the survey; these are glibc's defaults
// (sysdeps/x86/cacheinfo.h), with the non-temporal threshold at its usual three quarters of the shared cache.
long int __x86_data_cache_size_half = 32 * 1024 / 2;
long int __x86_data_cache_size = 32 * 1024;
long int __x86_shared_cache_size_half = 1024 * 1024 / 2;
long int __x86_shared_cache_size = 1024 * 1024;
long int __x86_shared_non_temporal_threshold = 1024 * 1024 * 3 / 4;
long int __x86_rep_movsb_threshold = 2048;
long int __x86_rep_stosb_threshold = 2048;
long int __x86_rep_movsb_stop_threshold = 1024 * 1024 * 3 / 4;
int __x86_string_control;

static void runFiniArray(void *unused) {
    (void)unused;
    size_t index = (size_t)(__fini_array_end - __fini_array_start);
    while (index-- > 0) {
        (*__fini_array_start[index])();
    }
    _fini();
}

// No stack protector: the canary lives in the thread block, which does not exist until `__libc_setup_tls`.
__attribute__((noreturn, no_stack_protector)) int __libc_start_main(
    int (*main)(int, char **, char **), int count, char **arguments, void (*init)(void), void (*fini)(void),
    void (*loaderFini)(void), void *stackEnd) {
    (void)init;
    (void)fini;
    char **environment = &arguments[count + 1];
    __environ = environment;
    __libc_stack_end = stackEnd;
    char **cursor = environment;
    while (*cursor++ != NULL) {
    }
    _dl_aux_init((ElfW(auxv_t) *)cursor);
    __tunables_init(__environ);
    // glibc's survey would run here; without it, its signal stack size comes from the kernel's AT_MINSIGSTKSZ,
    // and a kernel too old to give one gets a generous size instead of one computed from the survey.
    if (_dl_minsigstacksize == 0) {
        _dl_minsigstacksize = 16384;
    }
    _dl_relocate_static_pie();
    for (const ElfW(Rela) *relocation = __rela_iplt_start; relocation < __rela_iplt_end; ++relocation) {
        if (ELF64_R_TYPE(relocation->r_info) != R_X86_64_IRELATIVE) {
            __libc_fatal("Unexpected reloc type in static binary.\n");
        }
        ElfW(Addr) (*resolver)(void) = (ElfW(Addr)(*)(void))relocation->r_addend;
        *(ElfW(Addr) *)relocation->r_offset = resolver();
    }
    __libc_setup_tls();
    // The stack and pointer guards, from the kernel's random bytes (AT_RANDOM), as glibc sets them: the stack
    // guard's low byte is zero, so string overflows cannot forge it; without random bytes, glibc's fixed values.
    const unsigned char *random = _dl_random;
    uintptr_t stackGuard = (uintptr_t)0xff0a << 48;
    uintptr_t pointerGuard = stackGuard;
    if (random != NULL) {
        stackGuard = 0;
        pointerGuard = 0;
        for (size_t byte = 0; byte < sizeof stackGuard; byte++) {
            stackGuard |= (uintptr_t)random[byte] << (8 * byte);
            pointerGuard |= (uintptr_t)random[sizeof stackGuard + byte] << (8 * byte);
        }
        stackGuard &= ~(uintptr_t)0xff;
    }
    __asm__ volatile("movq %0, %%fs:0x28" : : "r"(stackGuard) : "memory");
    __asm__ volatile("movq %0, %%fs:0x30" : : "r"(pointerGuard) : "memory");
    if (loaderFini != NULL) {
        __cxa_atexit((void (*)(void *))loaderFini, NULL, NULL);
    }
    __libc_early_init(1);
    __libc_init_first(count, arguments, __environ);
    __cxa_atexit(runFiniArray, NULL, NULL);
    if (__libc_enable_secure) {
        __libc_check_standard_fds();
    }
    size_t preinitCount = (size_t)(__preinit_array_end - __preinit_array_start);
    for (size_t index = 0; index < preinitCount; index++) {
        (*__preinit_array_start[index])(count, arguments, __environ);
    }
    _init();
    size_t initCount = (size_t)(__init_array_end - __init_array_start);
    for (size_t index = 0; index < initCount; index++) {
        (*__init_array_start[index])(count, arguments, __environ);
    }
    _dl_debug_initialize(0, 0);
    // glibc also arms a jump buffer here for pthread_exit from the main thread; the client never calls it.
    exit(main(count, arguments, __environ));
}

#endif
