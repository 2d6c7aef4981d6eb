/** Bad command-line input: one line on stderr pointing at --help, exit 2. */
export class UsageError extends Error {}

/** A problem with the world rather than the command line (a port taken, a file missing): one line on stderr, exit 1. */
export class CommandError extends Error {}
