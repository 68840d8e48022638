#ifndef CHOARDSTARTUP_H
#define CHOARDSTARTUP_H

/// The process arguments, as kept by the client's start-up constructor (the Swift runtime's entry point).
char **_swift_stdlib_getUnsafeArgvArgc(int *count);

/// Replaces the kept arguments (the Swift runtime's entry point).
void _swift_stdlib_overrideUnsafeArgvArgc(char **arguments, int count);

/// Removes what the start-up constructors added to the environment, so child processes inherit the user's.
void hoardRestoreEnvironment(void);

#endif
