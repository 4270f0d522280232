// Where the bundle and template tests package the service from (see infra/deploy/packageService.ts).

export { EXAMPLE_PARAMS as DEPLOY_PARAMS } from '../../infra/deploy/exampleParams.ts';
export { type Packaged, packageService, readTemplate } from '../../infra/deploy/packageService.ts';
