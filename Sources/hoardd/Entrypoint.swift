HoardDaemon.main()
