import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import { RuleSetRejectedError, RuleStore } from './rule-store.service';

/** Quiet time after the last change before the folder is reloaded: an editor's save or a `git checkout` is many events. */
export const RULES_RELOAD_DEBOUNCE_MS = 300;

/**
 * Hot reload: watches RULES_DIR and, once changes have settled for
 * {@link RULES_RELOAD_DEBOUNCE_MS}, asks the {@link RuleStore} to reload the whole
 * folder. The store validates and compiles the new set beside the running one and
 * swaps it in only when every file is valid; a rejected set is logged and shown by
 * `GET /rules/status`, and the last good set keeps running.
 *
 * Started on application bootstrap, which runs after the start-up checks have
 * loaded the first rule set (src/startup.ts), so a change is never the first load.
 */
@Injectable()
export class RuleWatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RuleWatcher');
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly store: RuleStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const watcher = watch(this.config.rulesDir, {
      ignoreInitial: true,
      // Only rule and list files matter; temporary files of atomic writes end in .tmp.
      ignored: (path, stats) => stats?.isFile() === true && !path.endsWith('.json'),
    });
    watcher.on('all', () => this.schedule());
    watcher.on('error', (error: unknown) =>
      this.logger.warn(`watching ${this.config.rulesDir}: ${describe(error)}`),
    );
    this.watcher = watcher;
    await new Promise<void>((ready) => watcher.once('ready', ready));
    this.logger.log(`watching ${this.config.rulesDir} for rule changes`);
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.watcher?.close();
    this.watcher = undefined;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.store.reload().catch((error: unknown) => {
        // The store has logged the problems and kept the last good set.
        if (!(error instanceof RuleSetRejectedError)) {
          this.logger.error(`reloading rules after a change failed: ${describe(error)}`);
        }
      });
    }, RULES_RELOAD_DEBOUNCE_MS);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
