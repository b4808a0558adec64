"""Threads: contexts of several threads, and Python threads sharing a model."""

import threading

import pytest

import numpy as np

import cnnc
from conftest import random_inputs


def test_context_threads_bitwise_equal(se_block_library):
    one = cnnc.load(se_block_library)
    two = cnnc.load(se_block_library, threads=2)
    assert two.threads == 2
    x = random_inputs(one, seed=5)
    expected = one(**x)
    assert np.linalg.norm(expected) > 0
    assert np.array_equal(two(**x), expected)


def test_python_threads_share_a_model(se_block_library):
    """Python threads calling one model at once: each call takes a context
    (or scratch arena) of its own, so no CNNC_ERROR_CONTEXT_BUSY and the
    same bits as one thread alone."""
    for threads in (None, 2):
        m = cnnc.load(se_block_library, threads=threads)
        inputs = [random_inputs(m, seed=s) for s in range(4)]
        expected = [m(**x) for x in inputs]
        results, errors = {}, []
        barrier = threading.Barrier(4)

        def work(i):
            try:
                barrier.wait()
                for _ in range(3):
                    results[i] = m(**inputs[i])
                    assert np.array_equal(results[i], expected[i])
            except Exception as e:  # reported below, with the thread's index
                errors.append((i, e))

        workers = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert not errors, errors
        assert all(np.array_equal(results[i], expected[i]) for i in range(4))
        m.close()


def test_no_context_api_runs_on_one_thread(fake_library):
    path = fake_library("libnocontext.so", "nocontext", "nocontext_model", "nocontext")
    with pytest.warns(RuntimeWarning, match="has no context API"):
        m = cnnc.load(path, threads=4)
    assert m.threads == 1
    assert np.array_equal(m(np.ones((2, 3), np.float32)), np.full((2, 3), 2, np.float32))
