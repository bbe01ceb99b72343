/**
 * The full-screen views behind `s` (statistics) and `l` (ladder). TEMPORARY wiring while the view models land.
 */
import type { Pipeline } from '../src/index';
import type { Controller } from './controller';
import type { SideView } from './render-main';
import { plain } from './styled-line';

export function makeSideViews(ctl: Controller, pipeline: Pipeline): { stats: SideView; ladder: SideView } {
  return {
    stats: { title: 'Statistics', lines: () => [plain(`frames ${pipeline.counters.frames}`)] },
    ladder: { title: 'Ladder', lines: () => [plain(`selected ${ctl.selectedId}`)] },
  };
}
