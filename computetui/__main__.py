from computetui.cli import main

raise SystemExit(main())
