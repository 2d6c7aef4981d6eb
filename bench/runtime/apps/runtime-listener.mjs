// The runtime's entry in its Node-listener form: the shared handler as is.
import { listener } from "../handlers.mjs";

export default listener;
