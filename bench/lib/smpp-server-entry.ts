import { serveUntilTold } from './server-entry';
import { createPackageServer, type PackageSession } from './smpp-api';

/** A bare `smpp` package server on a free loopback port, run as a bench child until the parent stops it. */
export function serveSmppUntilTold(serve: (session: PackageSession) => void): Promise<void> {
  return serveUntilTold(async () => {
    const server = createPackageServer(serve);
    const port = await new Promise<number>((resolve, reject) => {
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    return {
      port,
      stop: () =>
        new Promise<void>((resolve) => {
          for (const session of server.sessions) session.destroy();
          server.close(() => resolve());
        }),
    };
  });
}
