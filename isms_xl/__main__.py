from isms_xl.cli.main import main

main()
