/**
 * Tests that stop and start a Docker engine (test/serial/): one file at a time, after the main
 * suite (`npm test` runs both), so that nothing else runs beside them.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/serial'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 300000,
};
