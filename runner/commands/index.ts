/**
 * Every rtds command, registered explicitly (oclif "explicit" strategy: no manifest, no directory scan).
 * Add one line per command.
 */
export const COMMANDS = {
}
