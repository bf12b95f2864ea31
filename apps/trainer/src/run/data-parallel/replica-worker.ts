import { parentPort, workerData } from 'node:worker_threads';
import { loadCheckpoint, RatlipGan, RatlipTrainer } from '@ratlip/ratlip-gan';
import { SeededRandom, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { loadRunClip } from '../run-clip';
import { trainBatchOf, trainBatchTensors } from './replica-batch';
import type { FromReplicaMessage, ReplicaWorkerData, ToReplicaMessage } from './replica-protocol';
import { SharedReplicaMean } from './shared-replica-mean';

/**
 * The thread of one data-parallel replica (rank >= 1): the same model and optimizer as rank 0, stepping
 * on its shard of each batch with its own noise; the shared mean keeps its weights equal to rank 0's.
 * Rank 0 does everything else (data, logging, sampling, evaluation, checkpoints).
 */
async function runReplica(data: ReplicaWorkerData, port: NonNullable<typeof parentPort>): Promise<void> {
  const post = (message: FromReplicaMessage) => port.postMessage(message);
  const mean = new SharedReplicaMean(data.buffer, data);
  try {
    await useBackend(data.backend as Parameters<typeof useBackend>[0]);
    const ema = { enabled: false, decay: data.modelConfig.training.ema.decay };
    const modelConfig = { ...data.modelConfig, training: { ...data.modelConfig.training, ema } };
    const { clip } = await loadRunClip(modelConfig);
    const replicaMean = (values: Float32Array) => mean.meanInPlace(values);
    const lossOptions = {
      ...(data.clipContrast ? { clipContrast: data.clipContrast } : {}),
      ...(data.hardMismatch ? { hardMismatch: true } : {}),
      ...(data.reconstruction ? { reconstruction: data.reconstruction } : {}),
    };
    let model: RatlipGan;
    let trainer: RatlipTrainer;
    if (data.checkpoint !== undefined) {
      const loaded = await loadCheckpoint(data.checkpoint, {
        vision: clip.vision,
        trainer: true,
        ema,
        learningRates: {
          generator: modelConfig.training.learningRateG,
          discriminator: modelConfig.training.learningRateD,
        },
        trainerOptions: { replicaMean, ...lossOptions },
      });
      model = loaded.model;
      trainer = loaded.trainer!;
      // A checkpoint of a run with fewer replicas has no state for this one: start its own stream.
      trainer.noiseRandom.setState(data.noiseState ?? new SeededRandom(data.noiseSeed).getState());
    } else {
      // tidy frees initialisation temporaries and keeps the variables (as rank 0 does).
      let created: { fresh: RatlipGan; freshTrainer: RatlipTrainer } | undefined;
      tf.tidy(() => {
        const fresh = RatlipGan.create(modelConfig, { vision: clip.vision, seed: data.seed });
        created = {
          fresh,
          freshTrainer: new RatlipTrainer(fresh, { seed: data.noiseSeed, replicaMean, ...lossOptions }),
        };
      });
      model = created!.fresh;
      trainer = created!.freshTrainer;
    }
    port.on('message', (message: ToReplicaMessage) => {
      if (message.type === 'close') {
        trainer.dispose();
        model.dispose();
        clip.dispose();
        post({ type: 'closed' });
        port.close();
        return;
      }
      try {
        const batch = trainBatchOf(message.shard);
        try {
          const { step } = trainer.step(batch);
          post({ type: 'stepped', step, noiseState: trainer.noiseRandom.getState() });
        } finally {
          tf.dispose(trainBatchTensors(batch));
        }
      } catch (error) {
        fail(error);
      }
    });
    post({ type: 'ready' });
  } catch (error) {
    fail(error);
  }

  function fail(error: unknown): void {
    mean.abort();
    const failure = error instanceof Error ? error : new Error(String(error));
    post({ type: 'failed', message: failure.message, ...(failure.stack ? { stack: failure.stack } : {}) });
  }
}

if (parentPort) void runReplica(workerData as ReplicaWorkerData, parentPort);
