// The container tests validate stdout against the same protocol schema as every other contract test.
export { airbyteMessageErrors } from '../../test/contract/airbyte-schema.js';
