import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertSeverity } from '#src/contracts/alert-event.js';
import type { SeverityPolicy } from '#src/contracts/rule-definition.js';
import { maxSeverity, severityFor } from './severity-escalation.util.js';

const policy: SeverityPolicy = {
  base: 'info',
  escalations: [
    { severity: 'warning', afterMin: 10 },
    { severity: 'critical', afterMin: 30, beyond: 5 },
  ],
};

void describe(severityFor.name, () => {
  const cases: [string, number, number, AlertSeverity][] = [
    ['base before any step', 9.99, 0, 'info'],
    ['exactly the duration escalates', 10, 0, 'warning'],
    ['the higher step wins', 30, 0, 'critical'],
    ['distance alone escalates (either condition suffices)', 0, 5, 'critical'],
    ['just under the distance does not', 0, 4.99, 'info'],
  ];
  for (const [name, elapsedMin, distance, expected] of cases) {
    void it(name, () => {
      assert.equal(severityFor(policy, elapsedMin * 60_000, distance), expected);
    });
  }

  void it('never lowers a severity already reached', () => {
    assert.equal(maxSeverity('info', 'critical'), 'critical');
    assert.equal(maxSeverity('warning', undefined), 'warning');
  });
});
