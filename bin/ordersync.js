#!/usr/bin/env node
import { exitQuietlyOnClosedPipe, main } from '../dist/cli/index.js';

exitQuietlyOnClosedPipe();
process.exitCode = await main(process.argv);
