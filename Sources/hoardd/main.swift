import HoardDaemon

DaemonMain.run()
