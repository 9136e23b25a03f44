import test from 'ava';
import { hostedLaunch, processModeFrom, serviceOfLine } from '../process-mode.ts';

test('when ORDERLY_PROCESSES is unset or blank, then the seven services run in one process; per-service gives each its own', (t) => {
  t.is(processModeFrom({}), 'one');
  t.is(processModeFrom({ ORDERLY_PROCESSES: ' ' }), 'one');
  t.is(processModeFrom({ ORDERLY_PROCESSES: 'per-service' }), 'per-service');
});

test('when ORDERLY_PROCESSES names no mode, then the stack does not start and says which values it takes', (t) => {
  t.throws(() => processModeFrom({ ORDERLY_PROCESSES: '1' }), { message: /ORDERLY_PROCESSES must be one of per-service, one/ });
});

test('when the one process is launched, then the services and their credentials go on standard input, not in its environment', (t) => {
  const launch = hostedLaunch({
    root: '/repo/',
    nodeArgs: ['--import', 'register.js'],
    env: { OTEL_SERVICE_NAME: 'orderly-local-stack' },
    services: [{ name: 'order', env: { AMQP_URL: 'amqp://orderly-order:secret@127.0.0.1/orderly', PORT: '8080' } }],
  });
  t.deepEqual(launch.args, ['--import', 'register.js', '/repo/services/lib/platform/dist/src/one-process-main.js']);
  t.false(JSON.stringify(launch.env).includes('secret'));
  t.deepEqual(JSON.parse(launch.input!), {
    services: [
      {
        name: 'order',
        module: '/repo/services/order/dist/src/service.js',
        env: { AMQP_URL: 'amqp://orderly-order:secret@127.0.0.1/orderly', PORT: '8080' },
      },
    ],
  });
});

test('when a line comes from the one process, then it is shown under the service that logged it', (t) => {
  t.is(serviceOfLine('{"level":30,"service":"payment","msg":"service ready"}', 'services'), 'payment');
  t.is(serviceOfLine('Error: something not JSON', 'services'), 'services');
});
