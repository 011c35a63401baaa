#!/usr/bin/env node
// The `shellwatch` command (npx shellwatch …): the compiled CLI.
require('../dist/src/cli/main.js');
