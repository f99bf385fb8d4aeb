import { Arg, Authorized, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { AddPlaybookStepInput, CreatePlaybookInput, UpdatePlaybookInput, UpdatePlaybookStepInput } from './playbook.inputs';
import { Playbook } from './playbook.type';

const ID_ARG = { description: 'Playbook id.' };
const STEP_ARG = { description: 'Step number (1..n).' };

@Resolver(() => Playbook)
export class PlaybookMutationResolver {
  @Authorized('analyst')
  @Mutation(() => Playbook, { description: 'Creates a draft playbook with its steps in one transaction (analyst).' })
  createPlaybook(@CurrentScope() scope: Scope, @Arg('input', () => CreatePlaybookInput, { description: 'The playbook.' }) input: CreatePlaybookInput, @Ctx() ctx: GraphQLContext) {
    return ctx.services.playbooks.create(scope, input);
  }

  @Authorized('analyst')
  @Mutation(() => Playbook, { description: 'Changes a playbook; bumps its version and returns it to DRAFT (analyst).' })
  updatePlaybook(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, ID_ARG) id: string,
    @Arg('input', () => UpdatePlaybookInput, { description: 'Fields to change.' }) input: UpdatePlaybookInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.playbooks.update(scope, id, input);
  }

  @Authorized('analyst')
  @Mutation(() => ID, { description: 'Deletes a playbook and its steps; returns its id (analyst).' })
  deletePlaybook(@CurrentScope() scope: Scope, @Arg('id', () => ID, ID_ARG) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.playbooks.delete(scope, id);
  }

  @Authorized('approver')
  @Mutation(() => Playbook, { description: 'Approves the current version of a DRAFT playbook (approver).' })
  approvePlaybook(@CurrentScope() scope: Scope, @Arg('id', () => ID, ID_ARG) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.playbooks.approve(scope, id);
  }

  @Authorized('analyst')
  @Mutation(() => Playbook, { description: 'Inserts a step into a playbook; later steps move down (analyst).' })
  addPlaybookStep(
    @CurrentScope() scope: Scope,
    @Arg('playbookId', () => ID, ID_ARG) playbookId: string,
    @Arg('input', () => AddPlaybookStepInput, { description: 'The step and its position.' }) input: AddPlaybookStepInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.playbookSteps.add(scope, playbookId, input);
  }

  @Authorized('analyst')
  @Mutation(() => Playbook, { description: 'Changes one step of a playbook (analyst).' })
  updatePlaybookStep(
    @CurrentScope() scope: Scope,
    @Arg('playbookId', () => ID, ID_ARG) playbookId: string,
    @Arg('stepNumber', () => Int, STEP_ARG) stepNumber: number,
    @Arg('input', () => UpdatePlaybookStepInput, { description: 'Fields to change.' }) input: UpdatePlaybookStepInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.playbookSteps.update(scope, playbookId, stepNumber, input);
  }

  @Authorized('analyst')
  @Mutation(() => Playbook, { description: 'Removes one step of a playbook; later steps move up (analyst).' })
  removePlaybookStep(
    @CurrentScope() scope: Scope,
    @Arg('playbookId', () => ID, ID_ARG) playbookId: string,
    @Arg('stepNumber', () => Int, STEP_ARG) stepNumber: number,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.playbookSteps.remove(scope, playbookId, stepNumber);
  }

  @Authorized('analyst')
  @Mutation(() => Playbook, { description: 'Reorders the steps of a playbook and renumbers them 1..n (analyst).' })
  reorderPlaybookSteps(
    @CurrentScope() scope: Scope,
    @Arg('playbookId', () => ID, ID_ARG) playbookId: string,
    @Arg('order', () => [Int], { description: 'Every current step number once, in the new order.' }) order: number[],
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.playbookSteps.reorder(scope, playbookId, order);
  }
}
