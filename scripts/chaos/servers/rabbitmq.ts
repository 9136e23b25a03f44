/**
 * A RabbitMQ node of the chaos run's own, from the system's rabbitmq-server: its own node name,
 * AMQP, management and distribution ports, its own epmd (ERL_EPMD_PORT), its own data, log and
 * enabled-plugins files; run as user rabbitmq. Stopped, started and killed without ever touching
 * the shared node on 5672.
 */
import type { ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runAs, spawnAs, systemUser } from './run-as.ts';

export interface RabbitPorts {
  amqp: number;
  management: number;
  dist: number;
  epmd: number;
}

export interface OwnRabbit {
  node: string;
  ports: RabbitPorts;
  amqpUrl: string;
  managementUrl: string;
  /** rabbitmqctl against this node only. */
  ctl(...args: string[]): Promise<string>;
  /** A user with every permission on the vhost orderly; its AMQP URL (straight to the node). */
  addUser(user: string, password: string): Promise<string>;
  /** Sets what the user may write on the run's vhost (a regex; configure and read stay everything). */
  permitWrite(user: string, write: string): Promise<void>;
  /** stop_app / start_app: the broker goes away and comes back, the Erlang VM stays. */
  stopApp(): Promise<void>;
  startApp(): Promise<void>;
  /** kill -9 of the node's Erlang VM. */
  kill(): Promise<void>;
  /** Boots the node (again, after kill()). */
  boot(): Promise<void>;
  /** Stops the node and its epmd. */
  shutdown(): Promise<void>;
}

const sbin = '/usr/lib/rabbitmq/bin';

export async function ownRabbit(stateDir: string, name: string, ports: RabbitPorts): Promise<OwnRabbit> {
  const user = systemUser('rabbitmq');
  const dir = join(stateDir, 'rabbitmq');
  await mkdir(join(dir, 'log'), { recursive: true });
  await mkdir(join(dir, 'mnesia'), { recursive: true });
  await writeFile(join(dir, 'enabled_plugins'), '[rabbitmq_management].\n');
  await writeFile(
    join(dir, 'rabbitmq.conf'),
    [
      `listeners.tcp.1 = 127.0.0.1:${ports.amqp}`,
      `management.tcp.port = ${ports.management}`,
      'management.tcp.ip = 127.0.0.1',
      // Collect less: the management database's sampling costs CPU the services need.
      'collect_statistics_interval = 10000',
      '',
    ].join('\n'),
  );
  for (const p of [dir, join(dir, 'log'), join(dir, 'mnesia'), join(dir, 'enabled_plugins'), join(dir, 'rabbitmq.conf')]) {
    await chown(p, user.uid, user.gid);
  }
  const node = `${name}@localhost`;
  const env: Record<string, string> = {
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(ports.amqp),
    RABBITMQ_DIST_PORT: String(ports.dist),
    ERL_EPMD_PORT: String(ports.epmd),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_PID_FILE: join(dir, 'node.pid'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '+sbwt none +sbwtdcpu none +sbwtdio none',
    HOME: '/var/lib/rabbitmq',
  };
  const ctl = (...args: string[]) => runAs(user, `${sbin}/rabbitmqctl`, ['-n', node, ...args], env, 180_000);
  let child: ChildProcess | undefined;

  const boot = async () => {
    const out = openSync(join(dir, 'log', 'console.log'), 'a');
    // Raise the open-files limit as scripts/setup.sh does: quorum queues hold files open.
    child = spawnAs(user, '/bin/sh', ['-c', `ulimit -n "$(ulimit -Hn)"; exec ${sbin}/rabbitmq-server`], env, {
      stdio: ['ignore', out, out],
    });
    child.unref();
    // The node registers with its epmd a moment after the VM starts: ping until it answers, then wait for the boot.
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await runAs(user, `${sbin}/rabbitmqctl`, ['-n', node, 'ping'], env, 15_000);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await ctl('await_startup', '--timeout', '120');
  };

  await boot();
  const vhosts = await ctl('list_vhosts', '--quiet');
  if (!vhosts.split('\n').includes('orderly')) await ctl('add_vhost', 'orderly');
  await ctl('set_permissions', '-p', 'orderly', 'guest', '.*', '.*', '.*');

  return {
    node,
    ports,
    amqpUrl: `amqp://guest:guest@127.0.0.1:${ports.amqp}/orderly`,
    managementUrl: `http://guest:guest@127.0.0.1:${ports.management}/`,
    ctl,
    addUser: async (user, password) => {
      await ctl('add_user', user, password).catch(async () => ctl('change_password', user, password));
      await ctl('set_permissions', '-p', 'orderly', user, '.*', '.*', '.*');
      return `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${ports.amqp}/orderly`;
    },
    permitWrite: async (user, write) => {
      await ctl('set_permissions', '-p', 'orderly', user, '.*', write, '.*');
    },
    stopApp: async () => {
      await ctl('stop_app');
    },
    startApp: async () => {
      await ctl('start_app');
      await ctl('await_startup', '--timeout', '120');
    },
    kill: async () => {
      const pid = Number((await readFile(join(dir, 'node.pid'), 'utf8')).trim());
      if (pid > 0) process.kill(pid, 'SIGKILL');
      // Wait until the VM is gone (its epmd forgets it).
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    boot,
    shutdown: async () => {
      await ctl('stop').catch(() => undefined);
      await runAs(user, '/usr/bin/epmd', ['-port', String(ports.epmd), '-kill'], env, 10_000).catch(() => undefined);
    },
  };
}
