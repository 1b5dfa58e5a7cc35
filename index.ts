import { loadStackConfig } from "./stacks/config";
import { Estate } from "./stacks/estate";

// Entry point for `pulumi up` and the offline runner alike: config is parsed once, before any
// resource exists, and the stack exports exactly the outputs contract.
const estate = new Estate("estate", loadStackConfig());

export = estate.outputs;
