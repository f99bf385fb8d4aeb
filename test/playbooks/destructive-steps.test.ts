import type { FieldError } from '../../src/errors/domain-error';
import { validateStep } from '../../src/modules/playbooks/playbook.validation';

function errorsFor(action: string, requiresApproval: boolean): FieldError[] {
  const errors: FieldError[] = [];
  validateStep(errors, 'input.steps[0]', {
    action,
    description: 'contain the threat',
    requiresApproval,
    approvalReason: requiresApproval ? 'destructive' : null,
  });
  return errors;
}

describe('playbook steps with destructive actions', () => {
  it.each(['disable_account', 'disable_user', 'isolate_host', 'revoke_session', 'reset_mfa', 'block_domain'])(
    '%s must require approval',
    (action) => {
      expect(errorsFor(action, false).map((e) => e.path)).toContain('input.steps[0].requiresApproval');
      expect(errorsFor(action, true)).toEqual([]);
    },
  );

  it('non-destructive actions may run automatically', () => {
    expect(errorsFor('collect_forensics', false)).toEqual([]);
  });
});
