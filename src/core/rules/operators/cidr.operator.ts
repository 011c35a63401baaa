import ipaddr from 'ipaddr.js';
import { anyString, compiled, problem, stringOrStrings } from './operator';
import type { OperatorDefinition } from './operator';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

let lastAddress: string | undefined;
let lastParsed: ipaddr.IPv4 | ipaddr.IPv6 | null = null;

/** The parsed address, or null when invalid; the last answer is remembered (rules of one event ask in turn). */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (address !== lastAddress) {
    // process() turns IPv4-mapped IPv6 (::ffff:10.0.0.1) into IPv4, so one range covers both spellings.
    lastParsed = ipaddr.isValid(address) ? ipaddr.process(address) : null;
    lastAddress = address;
  }
  return lastParsed;
}

function inRange(address: string, ranges: readonly Range[]): boolean {
  const ip = parseAddress(address);
  if (ip === null) return false;
  return ranges.some(([net, bits]) => ip.kind() === net.kind() && ip.match(net, bits));
}

/**
 * `cidr`: the fact (an IP string, or any in an array) lies in one of the given
 * networks, IPv4 or IPv6 (`"10.0.0.0/8"`, `["192.168.0.0/16", "fd00::/8"]`).
 * A bare address means a single host. Invalid fact values are simply not in range.
 */
export const cidrOperator: OperatorDefinition = {
  name: 'cidr',
  compile(value) {
    const specs = stringOrStrings(value);
    if (specs === undefined) return problem('cidr needs a CIDR string or an array of them');
    const ranges: Range[] = [];
    for (const [index, spec] of specs.entries()) {
      const pointer = Array.isArray(value) ? `/${index}` : '';
      try {
        if (spec.includes('/')) {
          ranges.push(ipaddr.parseCIDR(spec));
        } else {
          const ip = ipaddr.parse(spec);
          ranges.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
        }
      } catch {
        return problem(`invalid CIDR "${spec}"`, pointer);
      }
    }
    const one = (s: string): boolean => inRange(s, ranges);
    return compiled((fact) => anyString(fact, one));
  },
};
