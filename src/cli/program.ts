import { Command } from 'commander';
import { ExitCode } from '../errors.js';

/** What a command's action returns: its exit code, or nothing for 0. */
type ActionResult = ExitCode | void;

declare module 'commander' {
  interface Command {
    /** A command's action may return its exit code (see Program). */
    action(fn: (this: this, ...args: any[]) => ActionResult | Promise<ActionResult>): this;
  }
}

/**
 * The commander program whose commands return their exit code: the code of the action that
 * ran is kept on the program, and main() ends the process with it (a thrown error decides
 * it otherwise). Subcommands are Programs too, so every `.action` is wrapped.
 */
export class Program extends Command {
  /** The exit code the action that ran returned. */
  actionExitCode: ExitCode = ExitCode.ok;

  override createCommand(name?: string): Program {
    return new Program(name);
  }

  override action(fn: (this: this, ...args: any[]) => ActionResult | Promise<ActionResult>): this {
    return super.action(async (...args: unknown[]) => {
      const code = await fn.apply(this, args);
      if (code !== undefined) this.program().actionExitCode = code;
    });
  }

  private program(): Program {
    return this.parent instanceof Program ? this.parent.program() : this;
  }
}
