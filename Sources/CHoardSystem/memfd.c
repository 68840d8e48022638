#define _GNU_SOURCE
#include <sys/mman.h>

#include "CHoardSystem.h"

int hoard_memfd_create(const char *name) { return memfd_create(name, 0); }
