/**
 * Serverless plugin: adds the stack's alarms, their SNS topic and the operations dashboard
 * (`operationsResources`) from `custom.operations`. A malformed setting fails packaging.
 */
import { type OperationsSettings, operationsResources } from './operationsResources.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; [k: string]: unknown };

interface ServerlessLike {
  service: {
    service: string;
    provider: { stage: string; compiledCloudFormationTemplate: { Resources: Record<string, Resource> } };
    custom?: { operations?: Record<string, unknown> };
  };
  classes: { Error: new (message: string) => Error };
}

export default class Operations {
  readonly hooks: Record<string, () => void>;

  constructor(serverless: ServerlessLike) {
    this.hooks = {
      'before:package:finalize': () => {
        const resources = operationsResources(readSettings(serverless));
        Object.assign(serverless.service.provider.compiledCloudFormationTemplate.Resources, resources);
      },
    };
  }
}

/** `custom.operations`, checked (the deploy guard has explained a bad param already). */
export function readSettings(serverless: ServerlessLike): OperationsSettings {
  const custom = serverless.service.custom?.operations ?? {};
  const whole = (name: string, min: number) => {
    const value = Number(custom[name]);
    if (!Number.isInteger(value) || value < min) {
      throw new serverless.classes.Error(`custom.operations.${name} must be an integer of at least ${min}`);
    }
    return value;
  };
  return {
    service: serverless.service.service,
    stage: serverless.service.provider.stage,
    alarmTopicArn: String(custom.alarmTopicArn ?? '').trim(),
    oldestMessageAgeSeconds: whole('oldestMessageAgeSeconds', 60),
    lockTimeoutsThreshold: whole('lockTimeoutsThreshold', 0),
  };
}
