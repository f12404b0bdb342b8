import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@atrium/kit';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';

/**
 * A supergraph that follows its file: when SUPERGRAPH_PATH changes (a new composition was
 * deployed), the gateway loads it without a restart. A file that does not load is logged
 * and ignored, and the running supergraph stays. `fs.watchFile` polls (every second), so
 * it also works on mounted volumes (a Kubernetes ConfigMap) where inotify events don't come.
 */
export function watchSupergraph(file: string, initialSdl: string, log: Logger): SupergraphSdlHook {
  return async ({ update }) => {
    let current = initialSdl;
    const onChange = () => {
      let next: string;
      try {
        next = readFileSync(file, 'utf8');
      } catch (err) {
        log.warn({ err, file }, 'supergraph file unreadable: keeping the loaded one');
        return;
      }
      if (next === current) return;
      try {
        update(next);
        current = next;
        log.info({ file }, 'supergraph reloaded');
      } catch (err) {
        log.error({ err, file }, 'new supergraph refused: keeping the loaded one');
      }
    };
    watchFile(file, { interval: 1000 }, onChange);
    return { supergraphSdl: initialSdl, cleanup: async () => unwatchFile(file, onChange) };
  };
}
