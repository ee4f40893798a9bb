// Child process for the crash/resume test in train.test.ts: trains until killed.
import { train } from '../../ml/train.ts';
import { resumeTestOptions } from './train-fixtures.ts';

await train(resumeTestOptions(process.argv[2]!));
