HoardClient.main()
