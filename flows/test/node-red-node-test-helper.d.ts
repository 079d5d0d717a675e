// The part of node-red-node-test-helper the tests use. (Its DefinitelyTyped package would
// bring the DOM's types into the whole type check.)
declare module "node-red-node-test-helper" {
  import type { Node } from "@node-red/registry";

  interface TestFlowNode {
    id: string;
    type: string;
    [property: string]: unknown;
  }

  interface NodeTestHelper {
    init(runtimePath?: string, userSettings?: object): void;
    settings(userSettings: object): object;
    load(nodes: ((RED: never) => unknown)[], flow: TestFlowNode[]): Promise<void>;
    unload(): Promise<void>;
    getNode(id: string): Node | undefined;
  }

  const helper: NodeTestHelper;
  export = helper;
}
