#ifndef CHOARDSYSTEM_H
#define CHOARDSYSTEM_H

/// Creates an anonymous file in memory (`memfd_create`), inherited by child processes.
///
/// Returns its descriptor, or -1 with errno set.
int hoard_memfd_create(const char *name);

#endif
