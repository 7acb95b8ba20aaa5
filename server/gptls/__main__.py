from gptls.cli import main

raise SystemExit(main())
