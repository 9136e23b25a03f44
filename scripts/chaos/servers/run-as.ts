/** Runs a server's tools as the system user that owns it (postgres, rabbitmq), as scripts/setup.sh does. */
import { execFile, type SpawnOptions, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface SystemUser {
  uid: number;
  gid: number;
  home: string;
}

export function systemUser(name: string): SystemUser {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no system user ${name}: is the server installed (scripts/setup.sh installs it)?`);
  const [, , uid, gid, , home] = line.split(':');
  return { uid: Number(uid), gid: Number(gid), home: home ?? '/' };
}

/** Runs a command as the user (`input` on its stdin) and resolves with its stdout; rejects with its output on failure. */
export function runAs(
  user: SystemUser,
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 120_000,
  input = '',
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        uid: user.uid,
        gid: user.gid,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: user.home, ...env },
        timeout: timeoutMs,
        cwd: '/',
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`.trim()));
        else resolve(stdout);
      },
    );
    // A command that exits without reading its input closes the pipe: the EPIPE that writing it
    // then raises is the stdin stream's 'error', which would end this process if unheard. The
    // command's own outcome is what the callback reports.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
}

/** Spawns a long-running server process as the user. */
export function spawnAs(user: SystemUser, cmd: string, args: string[], env: Record<string, string>, options: SpawnOptions = {}) {
  return spawn(cmd, args, {
    uid: user.uid,
    gid: user.gid,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: user.home, ...env },
    cwd: '/',
    ...options,
  });
}
