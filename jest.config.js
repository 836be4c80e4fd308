/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Tests that stop a Docker engine run on their own, after this suite: jest.serial.config.js.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/serial/'],
  // Starts dockerd and builds the offline test image when missing (scripts/docker-up.sh).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Docker-heavy suites share one engine on 2 cores: a small, fixed number of workers.
  maxWorkers: 2,
  testTimeout: 120000,
};
