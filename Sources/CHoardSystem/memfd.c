#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/vfs.h>

#include "CHoardSystem.h"

int hoard_memfd_create(const char *name) { return memfd_create(name, 0); }

int hoard_has_procfs(void) {
    struct statfs info;
    return statfs("/proc", &info) == 0 && info.f_type == 0x9fa0; // PROC_SUPER_MAGIC
}
