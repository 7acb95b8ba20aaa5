from gptls.cli import main

# Guarded: the index's worker process (multiprocessing, spawn) imports this module without running it.
if __name__ == "__main__":
    raise SystemExit(main())
