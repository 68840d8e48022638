#ifndef CHOARDSYSTEM_H
#define CHOARDSYSTEM_H

/// Creates an anonymous file in memory (`memfd_create`), inherited by child processes.
///
/// Returns its descriptor, or -1 with errno set.
int hoard_memfd_create(const char *name);

/// Tells whether /proc is a mounted procfs (so `/proc/self/fd/N` names a process's own descriptors): 1 or 0.
int hoard_has_procfs(void);

#endif
