// Tests import source paths as well as 'semiflow': every test file runs on Node's platform, as the Node entry sets it.
import '../platform/node/register.ts';
