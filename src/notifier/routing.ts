import picomatch from 'picomatch';
import type { AlertFields } from '../core/alerts/alert-fields';
import type { RouteFile } from './notify-config';

/** One compiled route: a predicate over an alert's fields and the outputs it sends to. */
export interface Route {
  name: string;
  matches: (alert: AlertFields) => boolean;
  outputs: readonly string[];
}

/**
 * Compiles the routes of the config file. A route matches when every criterion
 * it gives matches (an empty `match` matches every alert): `severity` one of
 * the names, `ruleId` and `host` one of the names or globs (picomatch, `*`),
 * `tag` any tag of the alert among the listed ones. An alert missing a field a
 * criterion reads does not match that criterion.
 */
export function compileRoutes(routes: readonly RouteFile[]): Route[] {
  return routes.map((route, i) => {
    const tests: ((alert: AlertFields) => boolean)[] = [];
    const { severity, ruleId, tag, host } = route.match ?? {};
    if (severity) {
      const wanted = new Set(severity);
      tests.push((a) => a.severity !== undefined && wanted.has(a.severity));
    }
    if (ruleId) {
      const isMatch = picomatch(ruleId);
      tests.push((a) => a.ruleId !== undefined && isMatch(a.ruleId));
    }
    if (tag) {
      const wanted = new Set(tag);
      tests.push((a) => a.tags.some((t) => wanted.has(t)));
    }
    if (host) {
      const isMatch = picomatch(host, { dot: true });
      tests.push((a) => a.host !== undefined && isMatch(a.host));
    }
    return {
      name: route.name ?? `route ${i}`,
      matches: (alert) => tests.every((test) => test(alert)),
      outputs: route.outputs,
    };
  });
}

/**
 * The outputs an alert goes to: the union of the outputs of every matching
 * route, in the order first named, each once (an alert is sent to an output at
 * most once however many routes name it).
 */
export function outputsFor(alert: AlertFields, routes: readonly Route[]): string[] {
  const outputs = new Set<string>();
  for (const route of routes) {
    if (route.matches(alert)) for (const output of route.outputs) outputs.add(output);
  }
  return [...outputs];
}
